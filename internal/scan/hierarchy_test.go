package scan

import (
	"syscall"
	"testing"
)

// TestRecordKeepsFullAnswer: two workers may each ask the kernel about one
// ancestor that the index lacks, and one of them may fail halfway. Whatever
// the order their answers are recorded in, the full answer is the one
// kept, and the hierarchy is partial only when no full answer came.
func TestRecordKeepsFullAnswer(t *testing.T) {
	ancestor := Key{PID, 50}
	full := kinship{key: ancestor, owner: 7, ownerUID: -1}
	failed := kinship{key: ancestor, ownerUID: -1, err: syscall.EMFILE}
	childOf := func(inode uint64, a kinship) []kinship {
		return []kinship{{key: Key{PID, inode}, owner: 7, parent: ancestor.Inode, ownerUID: -1}, a}
	}
	for _, tc := range []struct {
		name        string
		first, then kinship
		wantOwner   uint64
		wantPartial bool
	}{
		{"full, then failed", full, failed, 7, false},
		{"failed, then full", failed, full, 7, false},
		{"failed twice", failed, failed, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idx := newIndex("/nonexistent")
			idx.namespace(PID, 100)
			idx.namespace(PID, 101)
			recorded := make(map[Key]bool)
			for i, answers := range [][]kinship{childOf(100, tc.first), childOf(101, tc.then)} {
				if err := idx.record(answers, recorded); err != nil {
					t.Fatalf("answers %d: the child's own answer failed: %v", i, err)
				}
			}
			ns := idx.Lookup(ancestor.Type, ancestor.Inode)
			if ns == nil {
				t.Fatalf("the ancestor was not added")
			}
			if ns.Owner != tc.wantOwner {
				t.Errorf("ancestor owner %d, want %d", ns.Owner, tc.wantOwner)
			}
			if partial := !allFull(recorded); partial != tc.wantPartial {
				t.Errorf("a relative left unanswered: %v, want %v", partial, tc.wantPartial)
			}
		})
	}
}
