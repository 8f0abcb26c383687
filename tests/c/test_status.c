/* weft_status_str names every status; unknown values are named, never NULL. */
#include <string.h>

#include "check.h"

int main(void) {
    static const struct {
        weft_status status;
        const char *name;
    } all[] = {
        {WEFT_OK, "WEFT_OK"},           {WEFT_PENDING, "WEFT_PENDING"},
        {WEFT_WOULD_BLOCK, "WEFT_WOULD_BLOCK"}, {WEFT_TIMEOUT, "WEFT_TIMEOUT"},
        {WEFT_CANCELLED, "WEFT_CANCELLED"}, {WEFT_BROKEN, "WEFT_BROKEN"},
        {WEFT_CLOSED, "WEFT_CLOSED"},   {WEFT_NOT_OWNER, "WEFT_NOT_OWNER"},
        {WEFT_NOT_LOCKED, "WEFT_NOT_LOCKED"}, {WEFT_DEADLOCK, "WEFT_DEADLOCK"},
        {WEFT_OVERFLOW, "WEFT_OVERFLOW"}, {WEFT_BUSY, "WEFT_BUSY"},
        {WEFT_INVALID, "WEFT_INVALID"}, {WEFT_NO_MEMORY, "WEFT_NO_MEMORY"},
        {WEFT_SYSTEM, "WEFT_SYSTEM"},   {WEFT_INTERNAL, "WEFT_INTERNAL"},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK(all[i].status == (weft_status)i);
        CHECK(strcmp(weft_status_str(all[i].status), all[i].name) == 0);
    }
    CHECK(strcmp(weft_status_str(-1), "WEFT_UNKNOWN") == 0);
    CHECK(strcmp(weft_status_str(16), "WEFT_UNKNOWN") == 0);
    CHECK(strcmp(weft_status_str(INT32_MIN), "WEFT_UNKNOWN") == 0);
    CHECK(WEFT_FOREVER < 0 && WEFT_SECOND == 1000 * WEFT_MS && WEFT_MS == 1000 * WEFT_US);
    CHECK(10 * WEFT_SECOND > INT32_MAX); /* the constants are 64-bit */

    uint64_t owner = 0;
    OK(weft_thread_owner(&owner));
    CHECK(owner != 0);
    CHECK_STATUS(weft_thread_owner(NULL), WEFT_INVALID);
    uint64_t a = 0, b = 0;
    CHECK_STATUS(weft_owner_new(NULL), WEFT_INVALID);
    OK(weft_owner_new(&a));
    OK(weft_owner_new(&b));
    CHECK(a != 0 && b != 0 && a != b && a != owner && b != owner);
    puts("test_status ok");
    return 0;
}
