/** Real-looking manifests for the fix tests, in the layouts people actually write. */

export const KUBECTL_STYLE = `# Web frontend, owned by team-web.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # keep in sync with the Service
  namespace: shop
  labels: {app: web, tier: frontend}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: "registry.example.com/web:1.4.2"
        args: ["--port", '8080']
        ports:
        - containerPort: 8080
        securityContext:
          capabilities:
            add:
            - NET_ADMIN   # TODO: why?
            - NET_BIND_SERVICE

      # metrics sidecar
      - name: exporter
        image: registry.example.com/exporter:0.9
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;

export const INDENTED_STYLE = `apiVersion: batch/v1
kind: CronJob
metadata:
    name: nightly-report
spec:
    schedule: "0 3 * * *"
    jobTemplate:
        spec:
            template:
                spec:
                    restartPolicy: OnFailure
                    securityContext:
                        runAsUser: 1000
                    containers:
                        -   name: report
                            image: registry.example.com/report:2.0
                            command: ["/bin/report", "--since=24h"]
`;

export const UNFIXABLE = `apiVersion: v1
kind: Pod
metadata:
  name: node-agent
spec:
  hostNetwork: true
  containers:
  - name: agent
    image: registry.example.com/agent:1
    securityContext:
      privileged: true
    volumeMounts:
    - name: root
      mountPath: /host
  volumes:
  - name: root
    hostPath:
      path: /
`;
