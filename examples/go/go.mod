module weft-example

go 1.19

require weft v0.0.0

replace weft => ../../bindings/go
