#pragma once

#include "presets.h"
#include "result.h"
#include "transcodesettings.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QStackedWidget;

namespace vtfarm::ui {

/// \brief Every setting of a preset, editable: container, video codec, bitrate or quality,
/// resolution, frame rate, encoder speed, audio codec and bitrate; and, for the jobs, the range
/// (a start and an end time) and whether they are encoded in segments.
///
/// Validates as the person types, with media::validate(), and shows each problem under the field it
/// is about; current() refuses to hand out settings while any is shown.
class AdvancedPanel : public QWidget
{
    Q_OBJECT
public:
    struct Choice
    {
        QString container;
        media::TranscodeSettings settings;
        QString split = QStringLiteral("auto"); ///< jobs::JobSpec::split
    };

    explicit AdvancedPanel(QWidget* parent = nullptr);

    /// Fills every field from the preset; emits changed() once.
    void setPreset(const media::Preset& preset);
    /// The settings as entered, or the first problem (the others are shown inline).
    Result<Choice> current() const;
    /// Every problem with what is entered, each naming its field (the names media::validate uses).
    QList<Error> errors() const;
    /// The inline message shown for \a field ("bitrate", "crf", "resolution", ...), empty when none.
    QString errorText(const QString& field) const;
    /// Puts the keyboard focus on the first field with a problem.
    void focusFirstError();

    // For tests and for the window's shortcuts into the panel.
    QComboBox* containerBox() const { return m_container; }
    QComboBox* videoCodecBox() const { return m_videoCodec; }
    QComboBox* rateModeBox() const { return m_rateMode; }
    QLineEdit* bitrateEdit() const { return m_bitrate; }
    QSpinBox* crfBox() const { return m_crf; }
    QComboBox* resolutionBox() const { return m_resolution; }
    QComboBox* fpsBox() const { return m_fps; }
    QComboBox* encoderPresetBox() const { return m_encoderPreset; }
    QComboBox* audioCodecBox() const { return m_audioCodec; }
    QComboBox* audioBitrateBox() const { return m_audioBitrate; }
    QLineEdit* rangeStartEdit() const { return m_rangeStart; }
    QLineEdit* rangeEndEdit() const { return m_rangeEnd; }
    QComboBox* splitBox() const { return m_split; }

Q_SIGNALS:
    /// Any field changed; errors are already updated.
    void changed();

private:
    Choice parse(QList<Error>* errors) const;
    void refresh();
    void updateEnabled();
    void fillEncoderPresets();
    QLabel* addErrorLabel(const QString& field);

    QComboBox* m_container;
    QComboBox* m_videoCodec;
    QComboBox* m_rateMode;
    QStackedWidget* m_rateStack;
    QLineEdit* m_bitrate;
    QSpinBox* m_crf;
    QComboBox* m_resolution;
    QComboBox* m_fps;
    QComboBox* m_encoderPreset;
    QComboBox* m_audioCodec;
    QComboBox* m_audioBitrate;
    QLineEdit* m_rangeStart;
    QLineEdit* m_rangeEnd;
    QComboBox* m_split;
    QHash<QString, QLabel*> m_errorLabels;
    bool m_filling = false;
};

} // namespace vtfarm::ui
