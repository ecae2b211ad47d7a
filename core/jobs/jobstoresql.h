#pragma once
// What the job store's files share: the columns of a job row, reading one, SQLite's errors.

#include "job.h"
#include "result.h"

class QSqlError;
class QSqlQuery;

namespace vtfarm::jobs {

/// The columns of the jobs table, in the order jobFromRow() reads them.
inline constexpr const char* kJobColumns
    = "id, position, priority, state, spec, attempts, error, warnings, created_at, started_at, "
      "ended_at, output_path, input_bytes, output_bytes, frames, speed, node, ssim, psnr, vmaf, input_kept, "
      "parent, segment, plan, segments_done";
/// How many columns kJobColumns names.
inline constexpr int kJobColumnCount = [] {
    int n = 1;
    for (const char* c = kJobColumns; *c; ++c)
        n += *c == ',';
    return n;
}();

/// The job in the current row of \a q, which selected kJobColumns from column \a first on;
/// ErrorCode::Damaged when the row does not hold one. Columns a store of an older schema lacks
/// (at the end of the list) read as empty.
Result<Job> jobFromRow(const QSqlQuery& q, int first = 0);

/// An SQLite error as the store reports it: StorageFull for a full disk, Damaged for a damaged file.
Error sqlError(const QString& what, const QSqlError& e);

} // namespace vtfarm::jobs
