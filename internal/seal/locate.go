package seal

import (
	"context"
	"errors"
)

// Target is where a service's SealedSecret (and the Secret it unseals to)
// lives in the cluster.
type Target struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

func (t Target) String() string { return t.Namespace + "/" + t.Name }

// Location is a located Target and the digest of the inputs it was worked
// out from ("" when there is none, e.g. an app the render cache cannot
// key).
type Location struct {
	Target
	Inputs string
}

// Locator tells where a service's SealedSecret is rendered. known is what
// an earlier run located for the service (zero when nothing is known): a
// locator returns it, without rendering, when the digest of the inputs is
// still known.Inputs. RenderLocator is the one the commands use; tests may
// pass their own.
type Locator func(ctx context.Context, service string, known Location) (Location, error)

// ErrNoSealedSecret is returned (wrapped) when a service renders no
// SealedSecret, so a strict or namespace-wide seal needs --name/--namespace.
var ErrNoSealedSecret = errors.New("no SealedSecret found for the service")
