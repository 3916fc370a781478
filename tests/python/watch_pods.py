"""The seed course's pod watcher: the `kubernetes` client from PyPI watching
pods in every namespace. Prints one line per event: TYPE NAME.

Usage: watch_pods.py TIMEOUT_SECONDS   (KUBECONFIG names the cluster)
"""
import sys

from kubernetes import client, config, watch

config.load_kube_config()
v1 = client.CoreV1Api()
for e in watch.Watch().stream(v1.list_pod_for_all_namespaces, timeout_seconds=int(sys.argv[1])):
    print(e["type"], e["object"].metadata.name, flush=True)
