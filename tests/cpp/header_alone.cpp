// weft.hpp on its own in a translation unit: it must compile with nothing before it, and
// link with another TU that includes it too (inline functions, the error category).
#include <weft.hpp>

const std::error_category& header_alone_category() { return weft::category(); }
