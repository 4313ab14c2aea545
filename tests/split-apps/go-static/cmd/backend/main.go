// Serves the files of ./static from disk (not embedded): the folder must
// be next to the binary's working directory at run time.
package main

import (
	"log"
	"net/http"
)

func main() {
	http.Handle("/", http.FileServer(http.Dir("static")))
	log.Fatal(http.ListenAndServe("127.0.0.1:8084", nil))
}
