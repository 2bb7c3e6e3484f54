external process_symbol : string -> Obj.t option = "ocamljit_process_symbol"

let fields symbol =
  match process_symbol symbol with
  | Some block when Obj.is_block block && Obj.tag block = 0 -> List.init (Obj.size block) (Obj.field block)
  | _ -> []
