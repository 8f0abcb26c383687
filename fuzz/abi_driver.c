/* The driver of tests/c/abi_driver.h, exported for the Rust fuzz target. */
#include "abi_driver.h"

uint64_t weft_fuzz_drive(const uint8_t *data, size_t len) {
    return abi_drive(data, len, NULL);
}
