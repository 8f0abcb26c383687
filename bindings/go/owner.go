package weft

import "sync/atomic"

// Owner is an owner token for the primitives that know who holds them (RLock,
// CapacityLimiter): goroutines have no identity, so the caller names itself. Get one
// from NewOwner and pass the same token to the acquire and the release; any goroutine
// may act for an owner, and one owner must not be used by two holders at once.
type Owner uint64

// goTokenTag marks tokens made in Go: the top bit (weft_owner_new's tokens have it, a
// thread's never does) and the next one (weft_owner_new's counter would need 2^62
// calls to reach it), so no Go token can equal a C thread's or a C task's.
const goTokenTag = 3 << 62

var lastToken uint64

func newToken() uint64 { return atomic.AddUint64(&lastToken, 1) | goTokenTag }

// NewOwner returns a fresh owner token, unique in the process.
func NewOwner() Owner { return Owner(newToken()) }
