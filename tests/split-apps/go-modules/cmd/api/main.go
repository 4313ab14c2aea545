// A server with one module dependency (github.com/google/uuid).
package main

import (
	"fmt"
	"log"
	"net/http"

	"github.com/google/uuid"
)

func main() {
	ns := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "go-modules: %s\n", uuid.NewSHA1(ns, []byte("go-modules")))
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8083", nil))
}
