"""Streaming subresources of pods (exec, attach, port-forward) as a 1.32 API server
serves them, and what each client was found to speak (read in kubernetes/kubernetes
staging/src/k8s.io/client-go/tools/{remotecommand,portforward}, kubectl's exec, cp and
debug commands, and the installed Python clients):

=========================  ===================================  ============================
client                     exec / attach / cp                   port-forward
=========================  ===================================  ============================
kubectl 1.32               WebSocket GET, offers only           WebSocket GET, subprotocol
                           `v5.channel.k8s.io` (client-go       `SPDY/3.1+portforward.k8s.io`:
                           NewWebSocketExecutor); SPDY POST     SPDY/3.1 frames tunneled in
                           only when the upgrade fails          binary messages; plain SPDY
                           (`KUBECTL_REMOTE_COMMAND_WEBSOCKETS` only on upgrade failure
                           on by default since 1.30)            (`KUBECTL_PORT_FORWARD_
                                                                WEBSOCKETS`, on since 1.31)
kubernetes (Python) 37     websocket-client, offers             `v4.channel.k8s.io` framing
                           `v5.channel.k8s.io,v4.channel.k8s.io` with `?ports=`: data channel
                                                                2i, error 2i+1, first frame
                                                                of each the port (2 bytes LE)
kubernetes-asyncio 36.1    aiohttp, `v4.channel.k8s.io`         (no port-forward helper)
=========================  ===================================  ============================

So the sandbox serves WebSockets only: `v5`/`v4.channel.k8s.io` for exec and attach, and
for port-forward the SPDY tunnel (kubectl) and `v4.channel.k8s.io` (Python). A plain SPDY
upgrade (`POST` with `Upgrade: SPDY/3.1`, what clients fall back to) is answered with a 400
naming the WebSocket protocols: aiohttp hands over the raw connection only for WebSocket
upgrades, and the clients above reach the fallback only when the WebSocket upgrade was
refused (an RBAC 403, say), where the fallback request is refused the same way first.
`KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false` / `KUBECTL_PORT_FORWARD_WEBSOCKETS=false` make
kubectl print that 400.

The upgrade is a GET; as with the `AuthorizePodWebsocketUpgradeCreatePermission` gate
(on by default since 1.30) it needs the `create` verb on `pods/exec`, `pods/attach` or
`pods/portforward`, so a view-only user gets a 403.

`kubectl cp` runs `tar cf - PATH` (from a pod) or `test -d DIR` then `tar -xmf - -C DIR`
(to a pod) through exec; `kubectl debug -it` patches `pods/ephemeralcontainers` with a
strategic merge patch, waits for the container to run, then attaches to it.
"""
