// etcd for the tests' real control plane. etcd's own main package lives in
// the root module go.etcd.io/etcd/v3, whose go.mod replaces its sibling
// modules with local paths (../server, ../api, ...) that a dependent cannot
// use, so this calls the same entry point as etcd's main.go does:
// go.etcd.io/etcd/server/v3/etcdmain.Main (see main.go in etcd-io/etcd at v3.6.x).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
