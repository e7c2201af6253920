// Command go-yaml-oracle reads a YAML stream on stdin and prints, for each document
// kubectl would send, one JSON line: {"json": VALUE} or {"error": "..."}.
//
// It stands in for kubectl's reading of a manifest file (cli-runtime's StreamVisitor):
// apimachinery's YAMLReader cuts the stream into chunks at lines that start with `---`
// followed by nothing but spaces or a comment (any other text after `---` is an error),
// reading lines with bufio.ReadLine (which drops "\n" and "\r\n") and ending each with
// "\n"; each chunk then goes through YAMLToJSON (go-yaml v2 Unmarshal into interface{},
// not strict, then JSON). A chunk whose JSON is empty or `null` is no object: kubectl
// skips it, and so does this. Unlike kubectl, which stops at the first bad document, it
// goes on with the next, so that one run compares every document.
//
// Built in GOPATH mode against Debian's golang-gopkg-yaml.v2-dev (go-yaml v2.4.0) and
// golang-github-ghodss-yaml-dev (YAMLToJSON, as sigs.k8s.io/yaml has it).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"

	"github.com/ghodss/yaml"
)

type result struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

func main() {
	reader := bufio.NewReader(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	var chunk bytes.Buffer
	emit := func() {
		if chunk.Len() == 0 {
			return
		}
		converted, err := yaml.YAMLToJSON(chunk.Bytes())
		chunk.Reset()
		if err != nil {
			_ = out.Encode(result{Error: err.Error()})
			return
		}
		converted = bytes.TrimSpace(converted)
		if len(converted) == 0 || string(converted) == "null" {
			return
		}
		_ = out.Encode(result{JSON: converted})
	}
	for {
		line, err := readLine(reader)
		if err != nil && err != io.EOF {
			_ = out.Encode(result{Error: err.Error()})
			return
		}
		if strings.HasPrefix(string(line), "---") {
			rest := strings.TrimSpace(string(line[3:]))
			if rest != "" && rest[0] != '#' {
				chunk.Reset()
				_ = out.Encode(result{Error: "invalid Yaml document separator: " + rest})
				if err == io.EOF {
					return
				}
				continue
			}
			if chunk.Len() != 0 {
				// The separator line ends this chunk and belongs to neither.
				emit()
				if err == io.EOF {
					return
				}
				continue
			}
		}
		if err == io.EOF {
			emit()
			return
		}
		chunk.Write(line)
	}
}

// readLine is apimachinery's LineReader: one line without its "\n" or "\r\n", then "\n".
func readLine(r *bufio.Reader) ([]byte, error) {
	var buffer bytes.Buffer
	var err error
	for isPrefix := true; isPrefix && err == nil; {
		var part []byte
		part, isPrefix, err = r.ReadLine()
		buffer.Write(part)
	}
	buffer.WriteByte('\n')
	return buffer.Bytes(), err
}
