// Checks of the records directory itself, rather than of the plans in it, for
// `iop check`: permissions that let other accounts read health records, and
// temporary files left behind by a write that was killed. Part of the store
// layer: the Store reads the listings and modes, this module judges them; the
// engine stays pure.
#pragma once

#include "iop/engine.hpp"
#include "iop/store.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace iop {

// The rule ids of these findings, reported by `iop check` after the plan
// rules (rule_ids()): "permissions", "stale-temp".
const std::vector<std::string>& file_rule_ids();

// A finding about a file or directory; `file` as messages show it.
struct FileFinding {
    std::string file;
    Finding finding;
};

// One finding (severity warning, rule "permissions") for each of the records
// directory, patients/ and the given patients' files whose mode gives the
// group or others any access.
std::vector<FileFinding> permission_findings(const Store& store,
                                             const std::vector<std::string>& ids);

// The temporary files of interrupted writes are listed, probed and removed
// by the Store (temp_files, writer_active, temp_exists, remove_temp), which
// alone knows the names iop gives them.

// The "stale-temp" finding for a leftover temporary file.
FileFinding stale_temp_finding(const TempFile& temp);

} // namespace iop
