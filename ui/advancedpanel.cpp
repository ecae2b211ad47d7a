#include "advancedpanel.h"

#include "codecs.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <tuple>

namespace vtfarm::ui {

using media::Resolution;
using media::TranscodeSettings;

namespace {

enum RateMode
{
    Bitrate = 0,
    Quality = 1
};

// The value an editable combo stands for: an item's data when one is chosen, else the typed text.
QString comboValue(const QComboBox* box)
{
    const int i = box->currentIndex();
    if (i >= 0 && box->itemText(i) == box->currentText() && box->itemData(i).isValid())
        return box->itemData(i).toString();
    return box->currentText().trimmed();
}

void setComboValue(QComboBox* box, const QString& value)
{
    const int i = box->findData(value);
    if (i >= 0)
        box->setCurrentIndex(i);
    else if (box->isEditable())
        box->setEditText(value);
}

bool isCoded(const QString& codec)
{
    const media::VideoCodec* video = media::findVideoCodec(codec);
    const media::AudioCodec* audio = media::findAudioCodec(codec);
    return (video && video->encodes()) || (audio && audio->encodes());
}

// The table's labels are English; their translations live in the table's context.
QString codecText(const char* label)
{
    return QCoreApplication::translate("vtfarm::media::Codecs", label);
}

} // namespace

AdvancedPanel::AdvancedPanel(QWidget* parent)
    : QWidget(parent)
    , m_container(new QComboBox(this))
    , m_videoCodec(new QComboBox(this))
    , m_rateMode(new QComboBox(this))
    , m_rateStack(new QStackedWidget(this))
    , m_bitrate(new QLineEdit(this))
    , m_crf(new QSpinBox(this))
    , m_resolution(new QComboBox(this))
    , m_fps(new QComboBox(this))
    , m_encoderPreset(new QComboBox(this))
    , m_audioCodec(new QComboBox(this))
    , m_audioBitrate(new QComboBox(this))
    , m_rangeStart(new QLineEdit(this))
    , m_rangeEnd(new QLineEdit(this))
    , m_split(new QComboBox(this))
{
    for (const media::Container& c : media::containers())
        m_container->addItem(codecText(c.label), c.extension);
    for (const media::VideoCodec& c : media::videoCodecs())
        m_videoCodec->addItem(codecText(c.label), c.name);

    m_rateMode->addItem(tr("Bitrate"));
    m_rateMode->addItem(tr("Quality"));
    m_rateMode->setToolTip(tr(
        "Bitrate: a target size per second. Quality (CRF): a constant look, the size follows the picture."));
    m_bitrate->setPlaceholderText(tr("e.g. 1000k or 2.5M"));
    m_bitrate->setToolTip(tr("Bits per second: 1000k, 2.5M"));
    m_crf->setRange(0, 63);
    m_crf->setValue(23);
    m_crf->setPrefix(tr("CRF "));
    m_crf->setToolTip(
        tr("Lower is better quality and larger files. x264/x265: 0–51 (23 is typical); VP9 and AV1: 0–63."));
    m_rateStack->addWidget(m_bitrate);
    m_rateStack->addWidget(m_crf);
    m_rateStack->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

    m_resolution->setEditable(true);
    m_resolution->setInsertPolicy(QComboBox::NoInsert);
    m_resolution->addItem(tr("Keep the source size"), QStringLiteral("keep"));
    for (const char* h : { "2160p", "1440p", "1080p", "720p", "480p", "360p" })
        m_resolution->addItem(tr("%1 (keeps the shape)").arg(QLatin1String(h)), QString::fromLatin1(h));
    for (const char* wh : { "3840x2160", "1920x1080", "1280x720", "854x480", "640x360" })
        m_resolution->addItem(QString::fromLatin1(wh), QString::fromLatin1(wh));
    m_resolution->setToolTip(tr("A height such as 720p keeps the aspect ratio and never enlarges; "
                                "WIDTHxHEIGHT is exactly that size."));

    m_fps->setEditable(true);
    m_fps->setInsertPolicy(QComboBox::NoInsert);
    m_fps->addItem(tr("Keep the source rate"), QStringLiteral("keep"));
    for (const char* f : { "23.976", "24", "25", "29.97", "30", "50", "59.94", "60" })
        m_fps->addItem(QString::fromLatin1(f), QString::fromLatin1(f));

    m_encoderPreset->setEditable(true);
    m_encoderPreset->setInsertPolicy(QComboBox::NoInsert);
    m_encoderPreset->setToolTip(tr("Slower presets make smaller files at the same quality."));

    for (const media::AudioCodec& c : media::audioCodecs())
        m_audioCodec->addItem(codecText(c.label), c.name);

    m_audioBitrate->setEditable(true);
    m_audioBitrate->setInsertPolicy(QComboBox::NoInsert);
    m_audioBitrate->addItem(tr("Encoder default"), QStringLiteral("0"));
    for (const char* b : { "64k", "96k", "128k", "160k", "192k", "256k", "320k" })
        m_audioBitrate->addItem(QString::fromLatin1(b), QString::fromLatin1(b));

    m_rangeStart->setPlaceholderText(tr("start"));
    m_rangeEnd->setPlaceholderText(tr("end"));
    m_rangeStart->setToolTip(tr("Where the output begins: seconds (12.5) or a time (00:01:02.5); empty: "
                                "the input's start. Frame-accurate; the audio is cut to match."));
    m_rangeEnd->setToolTip(tr("Where the output ends: seconds or a time; empty: the input's end."));

    m_split->addItem(tr("Automatic"), QStringLiteral("auto"));
    m_split->addItem(tr("Off"), QStringLiteral("off"));
    for (int seconds : { 30, 60, 120, 300 })
        m_split->addItem(tr("Every %1 s").arg(seconds), QString::number(seconds));
    m_split->setToolTip(tr("Encode a long video in segments on every free slot and node at once, then join "
                           "them. Automatic: videos over two minutes, when two slots can take work."));

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    auto addRow = [&](const QString& label, QWidget* field, const QStringList& fields) {
        auto* box = new QWidget(this);
        auto* v = new QVBoxLayout(box);
        v->setContentsMargins(0, 0, 0, 0);
        v->setSpacing(2);
        v->addWidget(field);
        for (const QString& f : fields)
            v->addWidget(addErrorLabel(f));
        form->addRow(label, box);
    };
    auto* rate = new QWidget(this);
    auto* rateLayout = new QHBoxLayout(rate);
    rateLayout->setContentsMargins(0, 0, 0, 0);
    rateLayout->addWidget(m_rateMode);
    rateLayout->addWidget(m_rateStack, 1);

    addRow(tr("Container"), m_container, { QStringLiteral("output") });
    addRow(tr("Video codec"), m_videoCodec, { QStringLiteral("codec") });
    addRow(tr("Rate"), rate, { QStringLiteral("bitrate"), QStringLiteral("crf") });
    addRow(tr("Resolution"), m_resolution, { QStringLiteral("resolution") });
    addRow(tr("Frame rate"), m_fps, { QStringLiteral("fps") });
    addRow(tr("Encoder speed"), m_encoderPreset, { QStringLiteral("preset") });
    addRow(tr("Audio codec"), m_audioCodec, { QStringLiteral("audio_codec") });
    addRow(
        tr("Audio bitrate"), m_audioBitrate, { QStringLiteral("audio_bitrate"), QStringLiteral("threads") });
    auto* range = new QWidget(this);
    auto* rangeLayout = new QHBoxLayout(range);
    rangeLayout->setContentsMargins(0, 0, 0, 0);
    rangeLayout->addWidget(m_rangeStart, 1);
    rangeLayout->addWidget(new QLabel(tr("to"), range));
    rangeLayout->addWidget(m_rangeEnd, 1);
    addRow(tr("Range"), range, { QStringLiteral("start"), QStringLiteral("end") });
    addRow(tr("Encode in segments"), m_split, {});

    // Narrow combos keep the side panel narrow and the queue wide; the popups still show the full text.
    for (QComboBox* box : { m_container, m_videoCodec, m_rateMode, m_resolution, m_fps, m_encoderPreset,
             m_audioCodec, m_audioBitrate, m_split }) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
    }
    fillEncoderPresets();
    for (QComboBox* box : { m_container, m_videoCodec, m_rateMode, m_resolution, m_fps, m_encoderPreset,
             m_audioCodec, m_audioBitrate }) {
        connect(box, &QComboBox::currentIndexChanged, this, &AdvancedPanel::refresh);
        if (box->isEditable())
            connect(box, &QComboBox::editTextChanged, this, &AdvancedPanel::refresh);
    }
    connect(m_videoCodec, &QComboBox::currentIndexChanged, this, &AdvancedPanel::fillEncoderPresets);
    connect(m_rateMode, &QComboBox::currentIndexChanged, m_rateStack, &QStackedWidget::setCurrentIndex);
    connect(m_bitrate, &QLineEdit::textChanged, this, &AdvancedPanel::refresh);
    connect(m_crf, &QSpinBox::valueChanged, this, &AdvancedPanel::refresh);
    connect(m_rangeStart, &QLineEdit::textChanged, this, &AdvancedPanel::refresh);
    connect(m_rangeEnd, &QLineEdit::textChanged, this, &AdvancedPanel::refresh);
    connect(m_split, &QComboBox::currentIndexChanged, this, &AdvancedPanel::refresh);

    setPreset(media::Preset {});
}

QLabel* AdvancedPanel::addErrorLabel(const QString& field)
{
    auto* label = new QLabel(this);
    label->setWordWrap(true);
    QPalette pal = label->palette();
    pal.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    label->setPalette(pal);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.92);
    label->setFont(font);
    label->hide();
    m_errorLabels.insert(field, label);
    return label;
}

void AdvancedPanel::fillEncoderPresets()
{
    const QString codec = m_videoCodec->currentData().toString();
    const QString before = comboValue(m_encoderPreset);
    const bool wasFilling = m_filling;
    m_filling = true;
    m_encoderPreset->clear();
    m_encoderPreset->addItem(tr("Encoder default"), QString());
    const media::VideoCodec* info = media::findVideoCodec(codec);
    if (info && info->presetKind == media::VideoCodec::Presets::Named) {
        for (const QString& p : info->presetNames)
            m_encoderPreset->addItem(p, p);
    } else if (info && info->presetKind == media::VideoCodec::Presets::Speed) {
        const int max = info->maxSpeed;
        for (int i = 0; i <= max; ++i)
            m_encoderPreset->addItem(i == 0 ? tr("%1 (slowest)").arg(i)
                    : i == max              ? tr("%1 (fastest)").arg(i)
                                            : QString::number(i),
                QString::number(i));
    }
    // A speed that means nothing to the new codec is dropped rather than shown as an error.
    const int keep = m_encoderPreset->findData(before);
    m_encoderPreset->setCurrentIndex(keep >= 0 ? keep : 0);
    m_filling = wasFilling;
}

void AdvancedPanel::setPreset(const media::Preset& preset)
{
    const TranscodeSettings& s = preset.settings;
    m_filling = true;
    setComboValue(m_container, preset.container);
    setComboValue(m_videoCodec, s.videoCodec);
    fillEncoderPresets();
    m_rateMode->setCurrentIndex(s.crf >= 0 ? Quality : Bitrate);
    m_rateStack->setCurrentIndex(m_rateMode->currentIndex());
    m_bitrate->setText(media::formatBitrate(s.videoBitrate));
    if (s.crf >= 0)
        m_crf->setValue(s.crf);
    setComboValue(m_resolution, s.resolution.toString());
    if (s.fpsNum <= 0) {
        setComboValue(m_fps, QStringLiteral("keep"));
    } else {
        const double rate = double(s.fpsNum) / s.fpsDen;
        QString text = s.fpsDen == 1 ? QString::number(s.fpsNum) : QString::number(rate, 'f', 3);
        for (int i = 1; i < m_fps->count(); ++i) {
            if (std::abs(m_fps->itemData(i).toString().toDouble() - rate) < 0.001)
                text = m_fps->itemData(i).toString();
        }
        setComboValue(m_fps, text);
    }
    setComboValue(m_encoderPreset, s.encoderPreset);
    setComboValue(m_audioCodec, s.audioCodec);
    setComboValue(
        m_audioBitrate, s.audioBitrate > 0 ? media::formatBitrate(s.audioBitrate) : QStringLiteral("0"));
    m_filling = false;
    refresh();
}

AdvancedPanel::Choice AdvancedPanel::parse(QList<Error>* errors) const
{
    Choice c;
    TranscodeSettings& s = c.settings;
    c.container = m_container->currentData().toString();
    s.videoCodec = m_videoCodec->currentData().toString();
    s.audioCodec = m_audioCodec->currentData().toString();
    const bool coded = isCoded(s.videoCodec);

    if (coded && m_rateMode->currentIndex() == Quality) {
        s.crf = m_crf->value();
    } else {
        s.crf = -1;
        if (coded) {
            if (const auto b = media::parseBitrate(m_bitrate->text()))
                s.videoBitrate = *b;
            else
                errors->append(Error::invalid(QStringLiteral("bitrate"),
                    tr("'%1' is not a bitrate; write it like 1000k or 2.5M").arg(m_bitrate->text())));
        }
    }
    // Picture settings mean nothing when the picture is copied or dropped; they are greyed out and ignored.
    if (coded) {
        const QString res = comboValue(m_resolution);
        if (const auto r = Resolution::parse(res))
            s.resolution = *r;
        else
            errors->append(Error::invalid(QStringLiteral("resolution"),
                tr("'%1' is not a resolution; write 1280x720, 720p or keep").arg(res)));
        const QString fps = comboValue(m_fps);
        if (fps.compare(QStringLiteral("keep"), Qt::CaseInsensitive) == 0 || fps.isEmpty()) {
            s.fpsNum = 0;
            s.fpsDen = 1;
        } else if (const auto f = media::parseFrameRate(fps)) {
            s.fpsNum = f->first;
            s.fpsDen = f->second;
        } else {
            errors->append(Error::invalid(QStringLiteral("fps"),
                tr("'%1' is not a frame rate; write 30, 29.97 or 30000/1001").arg(fps)));
        }
        s.encoderPreset = comboValue(m_encoderPreset);
    } else {
        s.resolution = Resolution::keep();
        s.fpsNum = 0;
        s.fpsDen = 1;
        s.encoderPreset.clear();
    }
    // The range belongs to the job, not the preset: it stays as entered when a preset is picked.
    for (auto [edit, field, out] : { std::tuple { m_rangeStart, "start", &s.startSeconds },
             std::tuple { m_rangeEnd, "end", &s.endSeconds } }) {
        const QString text = edit->text().trimmed();
        if (text.isEmpty())
            continue;
        if (const auto seconds = media::parseTimestamp(text))
            *out = *seconds;
        else
            errors->append(Error::invalid(QString::fromLatin1(field),
                tr("'%1' is not a time; write seconds (12.5) or 00:01:02.5").arg(text)));
    }
    c.split = m_split->currentData().toString();
    if (isCoded(s.audioCodec)) {
        const QString ab = comboValue(m_audioBitrate);
        if (ab == u"0" || ab.isEmpty())
            s.audioBitrate = 0;
        else if (const auto b = media::parseBitrate(ab))
            s.audioBitrate = *b;
        else
            errors->append(Error::invalid(
                QStringLiteral("audio_bitrate"), tr("'%1' is not a bitrate; write it like 128k").arg(ab)));
    }
    return c;
}

QList<Error> AdvancedPanel::errors() const
{
    QList<Error> errors;
    const Choice c = parse(&errors);
    QSet<QString> seen;
    for (const Error& e : std::as_const(errors))
        seen.insert(e.field);
    // A field that does not parse is reported once, not again by the validator's range checks.
    for (const Error& e : media::validate(c.settings, c.container)) {
        if (!seen.contains(e.field))
            errors.append(e);
    }
    return errors;
}

Result<AdvancedPanel::Choice> AdvancedPanel::current() const
{
    QList<Error> problems;
    Choice c = parse(&problems);
    if (!problems.isEmpty())
        return problems.first();
    if (const QList<Error> invalid = media::validate(c.settings, c.container); !invalid.isEmpty())
        return invalid.first();
    return c;
}

QString AdvancedPanel::errorText(const QString& field) const
{
    const QLabel* label = m_errorLabels.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

void AdvancedPanel::focusFirstError()
{
    const QList<Error> list = errors();
    if (list.isEmpty())
        return;
    const QString& f = list.first().field;
    QWidget* target = m_container;
    if (f == u"codec")
        target = m_videoCodec;
    else if (f == u"bitrate")
        target = m_bitrate;
    else if (f == u"crf")
        target = m_crf;
    else if (f == u"resolution")
        target = m_resolution;
    else if (f == u"fps")
        target = m_fps;
    else if (f == u"preset")
        target = m_encoderPreset;
    else if (f == u"audio_codec")
        target = m_audioCodec;
    else if (f == u"audio_bitrate")
        target = m_audioBitrate;
    target->setFocus(Qt::OtherFocusReason);
}

void AdvancedPanel::updateEnabled()
{
    const bool coded = isCoded(m_videoCodec->currentData().toString());
    for (QWidget* w : { static_cast<QWidget*>(m_rateMode), static_cast<QWidget*>(m_rateStack),
             static_cast<QWidget*>(m_resolution), static_cast<QWidget*>(m_fps),
             static_cast<QWidget*>(m_encoderPreset) })
        w->setEnabled(coded);
    m_audioBitrate->setEnabled(isCoded(m_audioCodec->currentData().toString()));
}

void AdvancedPanel::refresh()
{
    if (m_filling)
        return;
    updateEnabled();
    QHash<QString, QStringList> byField;
    for (const Error& e : errors())
        byField[m_errorLabels.contains(e.field) ? e.field : QStringLiteral("output")].append(e.message);
    for (auto it = m_errorLabels.cbegin(); it != m_errorLabels.cend(); ++it) {
        const QStringList messages = byField.value(it.key());
        it.value()->setText(messages.join(u'\n'));
        it.value()->setVisible(!messages.isEmpty());
    }
    Q_EMIT changed();
}

} // namespace vtfarm::ui
