// The engine's version string; also keeps both static libraries non-empty.
namespace ocamljit {
extern const char engine_version[];
const char engine_version[] = "ocamljit-engine 0.1";
}  // namespace ocamljit
