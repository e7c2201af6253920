// How the API server decodes a []byte field: encoding/json into a Go []byte, as for a
// Secret's data. Reads one JSON value a line (a string, or null) and prints, a line each,
// "ok LENGTH" with the decoded length, or the decoder's error.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

type bytesField struct {
	Value []byte `json:"value"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var field bytesField
		if err := json.Unmarshal([]byte(`{"value":`+in.Text()+`}`), &field); err != nil {
			fmt.Fprintln(out, err.Error())
			continue
		}
		fmt.Fprintf(out, "ok %d\n", len(field.Value))
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
