#include "jobstate.h"

#include <QTest>

using vtfarm::jobs::JobState;

class TestJobState : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void transitions_data()
    {
        QTest::addColumn<JobState>("from");
        QTest::addColumn<JobState>("to");
        QTest::addColumn<bool>("legal");
        const JobState all[] = { JobState::Queued, JobState::Started, JobState::Finished, JobState::Failed,
            JobState::Canceled };
        // The whole table, so that a new transition cannot slip in unnoticed.
        const QList<QPair<JobState, JobState>> legal = {
            { JobState::Queued, JobState::Started },
            { JobState::Queued, JobState::Canceled },
            { JobState::Started, JobState::Finished },
            { JobState::Started, JobState::Failed },
            { JobState::Started, JobState::Canceled },
            { JobState::Started, JobState::Queued },
            { JobState::Failed, JobState::Queued },
            { JobState::Canceled, JobState::Queued },
        };
        for (JobState from : all) {
            for (JobState to : all) {
                const QByteArray name
                    = (jobStateName(from) + QStringLiteral("->") + jobStateName(to)).toLatin1();
                QTest::newRow(name.constData()) << from << to << legal.contains({ from, to });
            }
        }
    }
    void transitions()
    {
        QFETCH(JobState, from);
        QFETCH(JobState, to);
        QFETCH(bool, legal);
        QCOMPARE(vtfarm::jobs::isLegalTransition(from, to), legal);
    }

    void names()
    {
        // The Python service's clients read exactly these words.
        QCOMPARE(jobStateName(JobState::Queued), QStringLiteral("queued"));
        QCOMPARE(jobStateName(JobState::Started), QStringLiteral("started"));
        QCOMPARE(jobStateName(JobState::Finished), QStringLiteral("finished"));
        QCOMPARE(jobStateName(JobState::Failed), QStringLiteral("failed"));
        QCOMPARE(jobStateName(JobState::Canceled), QStringLiteral("canceled"));
        for (JobState s :
            { JobState::Queued, JobState::Started, JobState::Finished, JobState::Failed, JobState::Canceled })
            QCOMPARE(vtfarm::jobs::jobStateFromString(jobStateName(s)), s);
        QVERIFY(!vtfarm::jobs::jobStateFromString(QStringLiteral("cancelled")));
        QVERIFY(!vtfarm::jobs::jobStateFromString(QString()));
    }
};

QTEST_GUILESS_MAIN(TestJobState)
#include "tst_jobstate.moc"
