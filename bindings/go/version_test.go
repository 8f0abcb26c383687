package weft

import (
	"strings"
	"testing"
)

func TestLoadedLibraryVersionIsAccepted(t *testing.T) {
	if LibraryVersion[0] != RequiredVersion[0] {
		t.Fatalf("loaded %v, required %v", LibraryVersion, RequiredVersion)
	}
}

func TestVersionCheckRefusesOtherMajorsAndOlderLibraries(t *testing.T) {
	required := [3]int{1, 4, 2}
	for _, c := range []struct {
		number uint32
		ok     bool
	}{
		{1004002, true},  // the same
		{1004003, true},  // a newer patch
		{1005000, true},  // a newer minor
		{1004001, false}, // an older patch
		{1003009, false}, // an older minor
		{2000000, false}, // another major, newer
		{4002, false},    // another major, older
	} {
		found, err := checkVersion(c.number, required)
		if (err == nil) != c.ok {
			t.Errorf("%d: err = %v, want ok = %v", c.number, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "needs 1.4.2") {
			t.Errorf("%d: the error does not name the version needed: %v", c.number, err)
		}
		if int(c.number/1000000) != found[0] {
			t.Errorf("%d: split as %v", c.number, found)
		}
	}
}
