# Extracts the toplevel phrases of a Markdown document written in mdx's toplevel style
# (```ocaml blocks whose phrases start with "# " and continue on lines indented by two
# spaces; other lines are expected output), one phrase after another, for `ocaml` to run:
# the baseline of the `ocamljit-doc` row of `make bench`.
/^```/ { inblock = !inblock && ($0 ~ /^```ocaml/); inphrase = 0; next }
!inblock { next }
/^# / { inphrase = 1; line = substr($0, 3); print line; inphrase = (line !~ /;;[ \t]*$/); next }
inphrase && /^  / { line = substr($0, 3); print line; inphrase = (line !~ /;;[ \t]*$/); next }
{ inphrase = 0 }
