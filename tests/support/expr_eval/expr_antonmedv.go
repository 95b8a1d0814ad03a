//go:build !exprlang

// The same library under its earlier name (Argo Workflows up to v3.5), which Debian packages as
// golang-github-antonmedv-expr-dev: what this machine can build offline.
package main

import "github.com/antonmedv/expr"

func compileAndRun(rule string, env map[string]interface{}) (interface{}, error) {
	program, err := expr.Compile(rule, expr.Env(env))
	if err != nil {
		return nil, err
	}
	return expr.Run(program, env)
}
