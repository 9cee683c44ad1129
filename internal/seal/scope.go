package seal

import (
	"fmt"

	ssv1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
)

// Scope is a sealing scope: what the ciphertext is bound to.
type Scope string

const (
	Strict        Scope = "strict"         // namespace and name
	NamespaceWide Scope = "namespace-wide" // namespace only
	ClusterWide   Scope = "cluster-wide"   // nothing
)

// ParseScope validates a scope name ("" means strict).
func ParseScope(s string) (Scope, error) {
	switch Scope(s) {
	case "":
		return Strict, nil
	case Strict, NamespaceWide, ClusterWide:
		return Scope(s), nil
	}
	return "", fmt.Errorf("invalid scope %q: use strict, namespace-wide or cluster-wide", s)
}

func (s Scope) sealing() ssv1.SealingScope {
	switch s {
	case NamespaceWide:
		return ssv1.NamespaceWideScope
	case ClusterWide:
		return ssv1.ClusterWideScope
	}
	return ssv1.StrictScope
}

// Label is the RSA-OAEP label the controller uses to decrypt a SealedSecret
// of this scope named name in namespace.
func (s Scope) Label(t Target) string {
	return string(ssv1.EncryptionLabel(t.Namespace, t.Name, s.sealing()))
}

// Annotations are the SealedSecret annotations that declare the scope.
func (s Scope) Annotations() map[string]string {
	return ssv1.UpdateScopeAnnotations(nil, s.sealing())
}
