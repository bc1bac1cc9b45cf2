"""The inside of the sandbox's simulated containers: a filesystem that follows the pod spec,
a small shell with the common utilities, a terminal line discipline and an HTTP app on the
container's ports. `runtime.ContainerRuntime` ties them to the cluster's objects; the
streaming endpoints (`kubetui.sandbox.streams`) reach them as exec, attach and
port-forward reach a real container runtime."""
