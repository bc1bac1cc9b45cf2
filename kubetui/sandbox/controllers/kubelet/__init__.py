"""The kubelet of every node, one job per module:

- `lifecycle`: the `Kubelet` controller, walking each bound pod through its life cycle
  (sandbox, image pulls, init containers, running, probes, restarts, kills);
- `containers`: what a simulated container does, read from its image name and command,
  and how containerd names its image;
- `runtime`: the kubelet's state of a pod and of its containers between syncs;
- `pod_status`: the pod status a kubelet writes from that state (phase, conditions,
  container statuses);
- `settled`: pods already running when the kubelet first sees them (adopted, not
  started again);
- `ipam`: pod IPs from each node's podCIDR;
- `nodes`: what a registering kubelet reports about its node;
- `timing`: the simulated durations (`KubeletTiming`).
"""
