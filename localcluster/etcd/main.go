// Command etcd is upstream etcd's server entry point, built from go.etcd.io/etcd/server/v3
// at the version pinned in go.mod. The upstream etcd module cannot be `go install`ed because
// its go.mod carries replace directives, so this wrapper module calls the same main function.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
