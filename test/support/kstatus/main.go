// kstatus-check: prints what sigs.k8s.io/cli-utils' kstatus (the library Flux, kpt and Helm's
// --wait use to decide whether a resource is ready) computes for each object on stdin. Input: a
// JSON object, or a List (`kubectl get -o json`); output: one JSON line per object,
// {"name", "status", "message"}. Used by the cluster tests to check the RiskModel's conditions
// read as Current, InProgress and Failed where they should.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type line struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	// UnmarshalJSON, not encoding/json into a map: it keeps integers as int64, which kstatus'
	// generation check needs.
	var obj unstructured.Unstructured
	if err := obj.UnmarshalJSON(data); err != nil {
		fail("decoding the object: %v", err)
	}
	items := []unstructured.Unstructured{obj}
	if obj.IsList() {
		list, err := obj.ToList()
		if err != nil {
			fail("decoding the list: %v", err)
		}
		items = list.Items
	}
	out := json.NewEncoder(os.Stdout)
	for i := range items {
		res, err := status.Compute(&items[i])
		if err != nil {
			fail("kstatus of %s: %v", items[i].GetName(), err)
		}
		if err := out.Encode(line{Name: items[i].GetName(), Status: res.Status.String(), Message: res.Message}); err != nil {
			fail("writing: %v", err)
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kstatus-check: "+format+"\n", args...)
	os.Exit(1)
}
