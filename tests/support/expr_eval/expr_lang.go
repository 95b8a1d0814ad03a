//go:build exprlang

// The library current Argo Workflows uses.
package main

import "github.com/expr-lang/expr"

func compileAndRun(rule string, env map[string]interface{}) (interface{}, error) {
	program, err := expr.Compile(rule, expr.Env(env))
	if err != nil {
		return nil, err
	}
	return expr.Run(program, env)
}
