// kamune-interop: a peer built on the Go reference library (Kamune 0.7), for checking that Kamune.NET and the Go
// implementation talk to each other. Not part of the .NET build; see docs/interop.md.
//
//	kamune-interop serve ADDR STORE_DIR         listen; echo every EXCHANGE_MESSAGES, answer every PING with a PONG
//	kamune-interop dial ADDR STORE_DIR SIZE...  dial; one PING (expects its PONG), then one message of each SIZE
//	                                            bytes, each echo checked byte for byte; then CLOSE_TRANSPORT
//
// Both accept any peer key: the point is the wire, not trust. Exit status 0 only when everything checked out.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/kamune-org/kamune"
	"github.com/kamune-org/kamune/pkg/storage"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func main() {
	if len(os.Args) < 4 {
		fail("usage: kamune-interop serve ADDR STORE_DIR | dial ADDR STORE_DIR SIZE...")
	}

	store := openStore(os.Args[3])
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2], store)
	case "dial":
		dial(os.Args[2], store, os.Args[4:])
	default:
		fail("unknown mode " + os.Args[1])
	}
}

func openStore(dir string) *storage.Storage {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fail(err.Error())
	}

	s, err := storage.OpenStorage(
		storage.WithDBPath(filepath.Join(dir, "kamune.db")), storage.WithNoPassphrase(), storage.WithCreateDB(true))
	if err != nil {
		fail("opening storage: " + err.Error())
	}

	return s
}

func anyPeer(*storage.Storage, *storage.Peer) error { return nil }

func serve(addr string, store *storage.Storage) {
	srv, err := kamune.NewServer(addr, func(t *kamune.Transport) error {
		for {
			var msg wrapperspb.BytesValue
			md, err := t.Receive(&msg)
			if errors.Is(err, kamune.ErrPeerDisconnected) || errors.Is(err, kamune.ErrConnClosed) {
				return nil
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "receive:", err)
				return err
			}

			reply := kamune.RouteInvalid
			switch md.Route() {
			case kamune.RouteExchangeMessages:
				reply = kamune.RouteExchangeMessages
			case kamune.RoutePing:
				reply = kamune.RoutePong
			}
			if reply == kamune.RouteInvalid {
				continue
			}
			if _, err := t.Send(&msg, reply); err != nil {
				return err
			}
		}
	}, store, anyPeer)
	if err != nil {
		fail(err.Error())
	}

	fmt.Println("listening", addr)
	fail(srv.ListenAndServe().Error())
}

func dial(addr string, store *storage.Storage, sizes []string) {
	d, err := kamune.NewDialer(addr, store, anyPeer, kamune.DialWithDialTimeout(10*time.Second))
	if err != nil {
		fail(err.Error())
	}

	t, err := d.Dial()
	if err != nil {
		fail("handshake: " + err.Error())
	}
	fmt.Println("established", t.SessionID())

	probe := []byte("interop-ping")
	if _, err := t.Send(kamune.Bytes(probe), kamune.RoutePing); err != nil {
		fail("ping: " + err.Error())
	}
	expect(t, kamune.RoutePong, probe)

	for i, text := range sizes {
		size, err := strconv.Atoi(text)
		if err != nil || size < 0 {
			fail("size: expected a non-negative integer, got " + text)
		}

		payload := make([]byte, size)
		for j := range payload {
			payload[j] = byte(i*31 + j*7)
		}
		if _, err := t.Send(kamune.Bytes(payload), kamune.RouteExchangeMessages); err != nil {
			fail(fmt.Sprintf("send %d bytes: %v", size, err))
		}
		expect(t, kamune.RouteExchangeMessages, payload)
	}

	fmt.Printf("echoed %d messages\n", len(sizes))
	if err := t.Close(); err != nil {
		fail("close: " + err.Error())
	}
}

func expect(t *kamune.Transport, route kamune.Route, want []byte) {
	var got wrapperspb.BytesValue
	md, err := t.Receive(&got)
	if err != nil {
		fail("receive: " + err.Error())
	}
	if md.Route() != route || !bytes.Equal(got.Value, want) {
		fail(fmt.Sprintf("expected %s with %d bytes, got %s with %d bytes", route, len(want), md.Route(), len(got.Value)))
	}
}

func fail(reason string) {
	fmt.Fprintln(os.Stderr, "kamune-interop:", reason)
	os.Exit(1)
}
