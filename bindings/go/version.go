package weft

// #include <weft.h>
import "C"

import "fmt"

// RequiredVersion is the oldest libweft this package works with: the version that has
// every function it calls. A library of another major version, or an older one, is
// refused when the package initializes (docs/abi.md, "What a binding checks at load").
var RequiredVersion = [3]int{0, 1, 0}

// LibraryVersion is the version of the libweft loaded at run time (weft_version()).
var LibraryVersion [3]int

func init() {
	found, err := checkVersion(uint32(C.weft_version()), RequiredVersion)
	if err != nil {
		// A package cannot refuse to load otherwise; nothing here can work with that library.
		panic(err)
	}
	LibraryVersion = found
}

// checkVersion splits weft_version()'s number and refuses another major or an older
// version than required.
func checkVersion(number uint32, required [3]int) ([3]int, error) {
	found := [3]int{int(number / 1000000), int(number / 1000 % 1000), int(number % 1000)}
	tooOld := found[0] == required[0] &&
		(found[1] < required[1] || found[1] == required[1] && found[2] < required[2])
	if found[0] != required[0] || tooOld {
		return found, fmt.Errorf("weft: the loaded libweft is %d.%d.%d (%s); this package needs %d.%d.%d or a later %d.x",
			found[0], found[1], found[2], C.GoString(C.weft_version_string()),
			required[0], required[1], required[2], required[0])
	}
	return found, nil
}
