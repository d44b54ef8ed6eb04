"""Adjust kwok's fast stages: pods whose image contains "never-ready" do
not become Ready; they are put in ImagePullBackOff instead."""
import sys

NOT_BAD = """    - key: '.spec.containers.[].image | contains("never-ready")'
      operator: 'NotIn'
      values:
      - 'true'
"""

PULL_BACKOFF = """---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-never-ready
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.spec.containers.[].image | contains("never-ready")'
      operator: 'In'
      values:
      - 'true'
    - key: '.status.containerStatuses.[].state.waiting.reason'
      operator: 'NotIn'
      values:
      - 'ImagePullBackOff'
  next:
    statusTemplate: |
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        state:
          waiting:
            reason: ImagePullBackOff
            message: image marked never-ready by the osop e2e cluster
      {{ end }}
      phase: Pending
"""

src = open(sys.argv[1]).read()
docs = src.split("\n---\n")
out = []
for d in docs:
    if "name: pod-ready" in d:
        marker = "    matchExpressions:\n"
        d = d.replace(marker, marker + NOT_BAD, 1)
    out.append(d)
sys.stdout.write("\n---\n".join(out).rstrip("\n") + "\n" + PULL_BACKOFF)
