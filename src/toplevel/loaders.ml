let registered = ref false

let register_all () =
  if not !registered then begin
    registered := true;
    Loader.register External_loader.loader;
    Loader.register Jit_loader.loader;
    let jit_here = Config.architecture = "amd64" && Sys.os_type = "Unix" in
    Loader.set_default
      (if jit_here then Jit_loader.loader.name else External_loader.loader.name)
  end
