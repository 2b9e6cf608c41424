// The server's two output streams, one whole line at a time. Standard output carries only the lines other programs
// read (the dev token, the listening line, dev-mode SMS); standard error carries the access log and diagnostics.
// Lines from different threads never interleave, and each is flushed at once, so a script reading a pipe sees it
// immediately.
#pragma once

#include <string_view>

namespace server {

void print_stdout_line(std::string_view line);
void print_stderr_line(std::string_view line);
// Several whole lines at once, each already ending in '\n' (the access log's batches).
void print_stderr_lines(std::string_view lines);

}  // namespace server
