// A standard-library HTTP server (no modules to download).
package main

import (
	"fmt"
	"log"
	"net/http"

	"example.com/godefault/internal/greet"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, greet.Message("go-default-output"))
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8085", nil))
}
