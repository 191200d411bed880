/// openapi.yaml as embedded at build time; served at `GET /openapi.yaml`.
public enum OpenAPISpec {
    public static var yaml: String { EmbeddedSpec.openAPIYAML }
}
