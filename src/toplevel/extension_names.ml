open Lambda

(* An extension constructor (exceptions included) is created as
   [Pmakeblock (Obj.object_tag, ...)] of its name and a fresh id. *)
let unprefix ~unit_name lam =
  let prefix = unit_name ^ "." in
  let plen = String.length prefix in
  let strip name =
    if String.length name > plen && String.sub name 0 plen = prefix then
      Some (String.sub name plen (String.length name - plen))
    else None
  in
  Lambda.map
    (function
      | Lprim
          ( (Pmakeblock (tag, _, _) as p),
            Lconst (Const_base (Asttypes.Const_string (name, l, delim))) :: rest,
            loc ) as lam
        when tag = Obj.object_tag -> (
          match strip name with
          | Some short ->
              Lprim (p, Lconst (Const_base (Asttypes.Const_string (short, l, delim))) :: rest, loc)
          | None -> lam)
      | lam -> lam)
    lam
