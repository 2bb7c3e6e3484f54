(** The native expect-test runner of the conformance harness.

    [ocamljit-expect [options] FILE] runs an expect test of the OCaml
    testsuite (a file whose TEST header runs [expect]) through ocamljit's
    native toplevel, as the testsuite's bytecode [expect_test] tool does,
    and compares the output of each group of phrases with the following
    [[%%expect{|...|}]] block (the [Principal{|...|}] variant under
    [-principal]). The header's [flags] are applied after the command line.

    Exit status: 0 when every block matches, 1 when one differs (the
    corrected file is written where [-corrected] says), 3 when the header's
    predicates exclude this configuration (e.g. [no-flat-float-array]).

    [ocamljit-expect -list DIR] prints the expect tests under [DIR];
    [ocamljit-expect -list-loaders] the loaders this build has;
    [ocamljit-expect -header FILE] the parts of a TEST header the drivers use. *)
