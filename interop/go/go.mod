module kamune-interop

go 1.26

// The Go reference at the commit this was checked against (AppVersion 0.7.0).
require (
	github.com/kamune-org/kamune v0.6.1-0.20260817000724-8aba529a3925
	google.golang.org/protobuf v1.36.11
)
