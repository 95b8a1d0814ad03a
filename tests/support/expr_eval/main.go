// Evaluates Argo SSO RBAC rules as argo-server does (util/expr/argoexpr EvalBool): the user's claims,
// as JSON, are both the environment the rule is compiled against and the one it runs with, and the
// result must be a bool. One JSON request per line on stdin ({"rule": ..., "claims": {...}}), one JSON
// answer per line on stdout ({"result": true|false} or {"error": "..."}).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

type request struct {
	Rule   string                 `json:"rule"`
	Claims map[string]interface{} `json:"claims"`
}

type answer struct {
	Result *bool  `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

func evalBool(rule string, env map[string]interface{}) answer {
	result, err := compileAndRun(rule, env)
	if err != nil {
		return answer{Error: err.Error()}
	}
	allow, ok := result.(bool)
	if !ok {
		return answer{Error: fmt.Sprintf("unable to cast expression result '%v' to bool", result)}
	}
	return answer{Result: &allow}
}

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for scanner.Scan() {
		var req request
		if err := json.Unmarshal(scanner.Bytes(), &req); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := out.Encode(evalBool(req.Rule, req.Claims)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}
