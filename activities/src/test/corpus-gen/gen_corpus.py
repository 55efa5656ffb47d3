# Writes the YAML corpus. OLD is the digest at the target; NEW replaces it. Expected outputs are
# produced by a plain textual replacement of the one OLD occurrence: an oracle independent of
# the editor.
import os, shutil
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "yaml-corpus")
shutil.rmtree(root, ignore_errors=True)
OLD = "sha256:cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4"
A = "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
B = "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
C = "sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6"
NEW = "sha256:11507a0e2f5e69d5dfa40a62a1bd7b6ee57e6bcd85c67c9b8431b36fff21c437"

def case(name, text, path, expected=None, error=None, crlf=False, bom=False):
    d = os.path.join(root, name)
    os.makedirs(d)
    def enc(t):
        if crlf:
            t = t.replace("\n", "\r\n")
        b = t.encode("utf-8")
        return (b"\xef\xbb\xbf" + b) if bom else b
    open(os.path.join(d, "input.yaml"), "wb").write(enc(text))
    open(os.path.join(d, "path.txt"), "w").write(path + "\n")
    if error:
        open(os.path.join(d, "error.txt"), "w").write(error + "\n")
        return
    if expected is None:
        assert text.count(OLD) == 1, name
        expected = text.replace(OLD, NEW)
    open(os.path.join(d, "expected.yaml"), "wb").write(enc(expected))

case("plain-scalar", f"""image:
  repository: registry.example.com/shop/api
  digest: {OLD}
replicas: 2
""", "image.digest")

case("comments", f"""# Values for the api service in staging.
# Managed by Gantry: only image.digest is written automatically.
image:   # the image to run
  repository: registry.example.com/shop/api  # ECR mirror
  # pinned by Gantry, do not edit by hand
  digest: {OLD}   # promoted from dev
  #digest: {A}
  pullPolicy: IfNotPresent
# trailing comment at the end
""", "image.digest")

case("anchors-elsewhere", f"""defaults: &defaults
  pullPolicy: IfNotPresent
  resources: &res
    limits: {{cpu: 500m, memory: 256Mi}}
frontend:
  <<: *defaults
  image:
    repository: registry.example.com/shop/web
    digest: {OLD}
backend:
  <<: *defaults
  resources: *res
  image:
    repository: registry.example.com/shop/api
    digest: {A}
""", "frontend.image.digest")

case("single-quoted", f"""image:
  repository: 'registry.example.com/shop/api'
  digest: '{OLD}'
""", "image.digest")

case("double-quoted", f"""image:
  repository: "registry.example.com/shop/api"
  digest: "{OLD}" # quoted on purpose
""", "image.digest")

case("flow-mapping", f"""image: {{repository: registry.example.com/shop/api, digest: {OLD}, pullPolicy: Always}}
other: {{digest: {A}}}
""", "image.digest")

case("flow-sequence", f"""images: [{{name: web, digest: {A}}}, {{name: api, digest: "{OLD}"}}]
""", "images[1].digest")

case("crlf", f"""# windows line endings
image:
  repository: registry.example.com/shop/api
  digest: {OLD}
  tag: ""
""", "image.digest", crlf=True)

case("bom", f"""image:
  digest: {OLD}
""", "image.digest", bom=True)

case("bom-crlf-quoted", f"""# both
image:
  digest: '{OLD}'
""", "image.digest", bom=True, crlf=True)

case("sequence-index", f"""images:
  - name: web
    digest: {A}
  - name: api
    digest: {OLD}
  - name: worker
    digest: {B}
""", "images[1].digest")

case("nested-map", f"""services:
  frontend:
    image:
      repository: registry.example.com/shop/web
      digest: {A}
  backend:
    image:
      repository: registry.example.com/shop/api
      digest: {OLD}
  jobs:
    image:
      digest: {B}
""", "services.backend.image.digest")

case("top-level-sequence", f"""- name: web
  digest: {A}
- name: api
  digest: {OLD}
""", "[1].digest")

case("emoji-before", f"""# 🚀 shipped by Gantry — ✓ signed, 𝄞 music service, 日本語
description: "🐳 api 😀😀 𝓤𝓷𝓲𝓬𝓸𝓭𝓮"
owner: équipe-paiements 👩‍💻
image:
  note: 🔥🔥🔥
  digest: {OLD} # 🎯
""", "image.digest")

case("empty-value", f"""image:
  repository: registry.example.com/shop/api
  digest:
  pullPolicy: IfNotPresent
""", "image.digest", expected=f"""image:
  repository: registry.example.com/shop/api
  digest: {NEW}
  pullPolicy: IfNotPresent
""")

case("empty-value-comment", f"""image:
  digest: # set by Gantry
""", "image.digest", expected=f"""image:
  digest: {NEW} # set by Gantry
""")

case("empty-value-eof", f"""image:
  digest:""", "image.digest", expected=f"""image:
  digest: {NEW}""")

case("null-value", f"""image:
  digest: ~
""", "image.digest", expected=f"""image:
  digest: {NEW}
""")

case("document-start", f"""%YAML 1.2
---
# after the marker
image:
  digest: {OLD}
...
""", "image.digest")

case("multi-document-one-match", f"""apiVersion: v1
kind: Service
metadata:
  name: api
---
apiVersion: apps/v1
kind: Deployment
image:
  digest: {OLD}
""", "image.digest")

case("anchored-target-unused", f"""image:
  digest: &pinned {OLD}
""", "image.digest")

case("tagged-scalar", f"""image:
  digest: !!str {OLD}
""", "image.digest")

helm = f"""# Default values for shop-api.
# This is a YAML-formatted file.
# Declare variables to be passed into your templates.
#
# ---------------------------------------------------------------------------------------------
# IMPORTANT: the image below is promoted by Gantry. A promotion writes image.digest and nothing
# else; the tag is informational only and is never used to pull. Rollbacks write an earlier
# digest that was already promoted and verified here. Talk to #platform before editing by hand.
# ---------------------------------------------------------------------------------------------

replicaCount: 3

image:
  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api
  # This sets the pull policy for images.
  pullPolicy: IfNotPresent
  # Overrides the image tag whose default is the chart appVersion.
  tag: "sha-0f3c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39"
  digest: "{OLD}"

# This is for the secrets for pulling an image from a private repository more information can be found here: https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
imagePullSecrets: []
nameOverride: ""
fullnameOverride: ""

serviceAccount:
  # Specifies whether a service account should be created
  create: true
  # Annotations to add to the service account
  annotations: {{}}
  name: ""

podAnnotations:
  gantry.dev/release: "release/shop-api/0f3c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39"

resources:
  # We usually recommend not to specify default resources and to leave this as a conscious
  # choice for the user. This also increases chances charts run on environments with little
  # resources, such as Minikube. If you do want to specify resources, uncomment the following
  # lines, adjust them as necessary, and remove the curly braces after 'resources:'.
  limits:
    cpu: 500m
    memory: 512Mi
  requests:
    cpu: 100m
    memory: 128Mi

sidecar:
  image:
    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/envoy
    digest: "{A}"

nodeSelector: {{}}
tolerations: []
affinity: {{}}
"""
case("helm-values", helm, "image.digest")

# ---- refusals ----
case("refuse-missing-key", f"""image:
  repository: registry.example.com/shop/api
""", "image.digest", error="PATH_NOT_FOUND")
case("refuse-missing-parent", f"""images:
  - digest: {A}
""", "image.digest", error="PATH_NOT_FOUND")
case("refuse-index-out-of-range", f"""images:
  - digest: {A}
""", "images[3].digest", error="PATH_NOT_FOUND")
case("refuse-not-a-sequence", f"""images:
  digest: {A}
""", "images[0].digest", error="PATH_NOT_FOUND")
case("refuse-alias-target", f"""base: &d {A}
image:
  digest: *d
""", "image.digest", error="UNSUPPORTED")
case("refuse-anchored-reused", f"""image:
  digest: &d {A}
sidecar:
  digest: *d
""", "image.digest", error="UNSUPPORTED")
case("refuse-aliased-parent", f"""base: &base
  image:
    digest: {A}
prod: *base
""", "base.image.digest", error="UNSUPPORTED")
case("refuse-through-alias", f"""base: &base
  image:
    digest: {A}
prod: *base
""", "prod.image.digest", error="UNSUPPORTED")
case("refuse-alias-in-sequence", f"""images:
  - &first
    digest: {A}
  - *first
""", "images[1].digest", error="UNSUPPORTED")
case("refuse-literal-block", f"""image:
  digest: |
    {A}
""", "image.digest", error="UNSUPPORTED")
case("refuse-folded-block", f"""image:
  digest: >-
    {A}
""", "image.digest", error="UNSUPPORTED")
case("refuse-not-scalar", f"""image:
  digest:
    value: {A}
""", "image.digest", error="UNSUPPORTED")
case("refuse-multi-document-ambiguous", f"""image:
  digest: {A}
---
image:
  digest: {B}
""", "image.digest", error="UNSUPPORTED")
case("refuse-merge-key-inherited", f"""defaults: &defaults
  digest: {A}
image:
  <<: *defaults
""", "image.digest", error="UNSUPPORTED")
case("refuse-duplicate-key", f"""image:
  digest: {A}
  digest: {B}
""", "image.digest", error="UNSUPPORTED")
case("refuse-invalid-yaml", f"""image:
  digest: [unclosed
""", "image.digest", error="UNSUPPORTED")
case("refuse-key-without-value-in-flow", f"""image: {{digest}}
""", "image.digest", error="UNSUPPORTED")
