#use "topfind";;
#require "lwt";;
let p = Lwt.bind (Lwt.return 20) (fun x -> Lwt.return (x + 1));;
Lwt.state p;;
#thread;;
#require "lwt.unix";;
Lwt_main.run (Lwt.bind (Lwt_unix.sleep 0.01) (fun () -> Lwt.return "slept"));;
Lwt_main.run (Lwt_list.map_p (fun x -> Lwt.return (x * 2)) [1; 2; 3]);;
