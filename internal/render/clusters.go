package render

// clusterOf names the declared cluster an app deploys to, its server and
// the kube version the app renders for ("" when the config declares no
// clusters:; "?" as the name when the destination is not declared).
func (ws *Workspace) clusterOf(a *App) (name, server, kubeVersion string) {
	if ws.cfg == nil || !ws.cfg.DeclaresClusters() || a == nil || a.Application == nil {
		return "", "", ""
	}
	d := a.Application.Spec.Destination
	cl, ok := ws.cfg.ClusterFor(d.Server, d.Name)
	name, server = cl.Name, cl.Server
	if !ok {
		name, server = "?", d.Server
		if server == "" {
			server = d.Name
		}
	}
	return name, server, cl.Capabilities.KubeVersion
}
