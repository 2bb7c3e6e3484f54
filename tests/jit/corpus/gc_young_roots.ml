(* Values a phrase leaves young in its module block must survive the minor
   collections of later phrases (once a phrase has run, its block reaches
   the GC through the remembered set, not through a scan at every minor
   collection), and major collections and compaction must keep and move them. *)
let young_string = String.make 5 'y';;
let young_list = [1; 2; 3] @ [4];;
let young_closure = let k = List.length young_list in fun x -> x + k;;
let young_pair = (young_string ^ "!", ref 0), Array.make 3 'z';;
let y1 = ref [1] and y2 = Some "two" and y3 = [| 3.0; 3.5 |];;
Gc.minor ();;
let garbage = List.length (List.init 200_000 (fun i -> (i, i)));;
young_string, young_list, young_closure 10, young_pair;;
!y1, y2, y3;;
snd (fst young_pair) := 42; y1 := List.init 3 (fun i -> i * 7);;
let _ = List.init 200_000 string_of_int;;
Gc.full_major ();;
young_pair, !y1;;
let _ = Array.init 100_000 (fun i -> Some i);;
Gc.compact ();;
young_string, young_list, young_closure 10, young_pair, !y1, y2, y3;;
let failing = String.make 2 'p' and boom = failwith "no";;
let after = young_closure 1 + List.length !y1;;
let chain = ref [];;
for i = 1 to 50 do chain := String.make 1 (Char.chr (65 + i mod 26)) :: !chain done;;
Gc.minor (); Gc.compact (); String.concat "" !chain;;
