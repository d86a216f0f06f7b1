// The compact binary form of a loaded Record, for the record cache
// (docs/records.md, "The record cache"). Pure: bytes in, bytes out; the
// store decides where they are kept.
#pragma once

#include "iop/record.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace iop {

// Bumped whenever the encoding or what a Record holds changes; a unit test
// freezes the bytes of a reference record, so a change that forgets to bump
// it fails there.
inline constexpr int record_codec_version = 1;

// What a cache made by another build must differ in to be ignored: iop's
// version, the codec version, the record schema and the sizes of the types
// encoded (a field added to a struct changes them).
std::string record_codec_key();

// Appends the encoding of `record` (every field but `file`) to `out`.
void encode_record(const Record& record, std::string& out);

// The record `bytes` encode, with `file` as its file, or nothing when they
// are not exactly one well-formed encoding (truncated, trailing bytes, a
// value out of range). Never throws on bad bytes.
std::optional<Record> decode_record(std::string_view bytes, const std::string& file);

} // namespace iop
