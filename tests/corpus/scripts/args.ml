let () =
  Printf.printf "argc=%d\n" (Array.length Sys.argv);
  Array.iteri (fun i a -> Printf.printf "argv.(%d)=%S\n" i a) Sys.argv;
  Printf.printf "interactive=%b\n" !Sys.interactive
