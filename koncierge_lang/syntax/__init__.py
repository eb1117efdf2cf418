"""The syntax stage: the Lark grammar, the recovering parser and the syntax tree."""
