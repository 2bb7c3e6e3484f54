(** Shell blocks in doc comments, as mdx runs them.

    {@sh[
      $ echo one; echo two
      stale
      $ for w in a b; do \
      >   echo "w=$w"; \
      > done
      $ false
    ]}

    With labels:

    {@sh set-GREETING=hi[
      $ echo "$GREETING there"
    ]}

    Ellipses still match:

    {@sh[
      $ seq 1 5
      1
      ...
      5
    ]}

    {[
      # 1 + 1;;
      - : int = 2
    ]}
*)
val x : int
