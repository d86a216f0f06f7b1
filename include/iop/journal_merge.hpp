// The merge of a patient file changed on two sides, for iop's git merge
// driver (`iop __merge-journal`, docs/git.md): entries, not bytes.
#pragma once

#include <string>
#include <string_view>

namespace iop {

// The merge of a patient file changed on two sides, entry by entry
// (docs/git.md, "Merging: the journal driver and its limits"). Each text is
// split into its header (everything before the first line that starts an
// array of tables, `[[...]]`, at column 0) and its entries (each block from
// its `[[kind]]` line to the next one), compared without trailing blank
// lines and spaces. The merge is clean when base's entries are an identical
// prefix of both sides' and at most one side changed the header: the result
// is that header, base's entries, then the entries new on either side (one
// present on both sides once, as a multiset), merged by (recorded_at, block
// text) so that each side keeps its own order and swapping the sides gives
// the same bytes. The result must load as what it is: a record
// (parse_record), or closures.toml (parse_closures), which merges the same
// way. Otherwise `conflict` says why, naming a line of base, ours or theirs.
struct JournalMerge {
    std::string text;     // the merged file, when clean
    std::string conflict; // why not, else empty
    bool clean() const { return conflict.empty(); }
};
enum class JournalFile { record, closures };
JournalMerge merge_appends(std::string_view base, std::string_view ours, std::string_view theirs,
                           const std::string& file = "merged record",
                           JournalFile kind = JournalFile::record);

} // namespace iop
