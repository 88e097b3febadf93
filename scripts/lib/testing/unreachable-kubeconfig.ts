// A kubeconfig whose server answers nothing (127.0.0.1:9, the discard port): the operator starts,
// logs, waits for caches that never fill, and stops. For tests of its entry point.
export const UNREACHABLE_KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: far, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: me, user: {token: t}}]
contexts: [{name: far, context: {cluster: far, user: me}}]
current-context: far
`;
