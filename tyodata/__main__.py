from tyodata.cli import app

app()
