// Copied into FerretDB's internal/handler package by scripts/lib.sh when FerretDB is built.
//
// FerretDB v1 runs update, findAndModify and delete as "find the documents, then write them
// back by _id", with nothing in between held: two concurrent compare-and-set updates both
// succeed and two concurrent $inc lose one (measured: 200 increments from 10 clients left 23).
// MongoDB makes a single-document write atomic, and Lianxin relies on that, so the local
// store serialises these commands. See docs/decisions/0003-ferretdb-atomic-writes.md.

package handler

import "sync"

var lianxinWriteMu sync.Mutex
