"""What the peer (moto_server) answers for metric math, SEARCH, Metrics Insights and a new alarm,
for docs/performance.md: moto has no expression evaluator and no alarm evaluator, so there is no
time to compare, only answers. Usage: python3 tests/bench/moto_peer_check.py"""
import boto3, subprocess, time, socket, datetime, json
def free_port():
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close(); return p
port=free_port()
proc=subprocess.Popen(["moto_server","-p",str(port)],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
url=f"http://127.0.0.1:{port}"
for _ in range(200):
    try: socket.create_connection(("127.0.0.1",port),0.1).close(); break
    except OSError: time.sleep(0.05)
c=boto3.client("cloudwatch",endpoint_url=url,region_name="us-east-1",aws_access_key_id="a",aws_secret_access_key="b")
now=datetime.datetime.now(datetime.timezone.utc).replace(second=0,microsecond=0)
data=[{"MetricName":"M","Dimensions":[{"Name":"H","Value":f"h{i}"}],"Timestamp":now-datetime.timedelta(minutes=m),"Value":float(m+i)} for i in range(3) for m in range(1,11)]
c.put_metric_data(Namespace="Peer",MetricData=data)
start=now-datetime.timedelta(minutes=30); end=now+datetime.timedelta(minutes=1)
def gmd(qs):
    try:
        r=c.get_metric_data(MetricDataQueries=qs,StartTime=start,EndTime=end)
        return [(x["Id"],len(x["Values"]),x.get("StatusCode")) for x in r["MetricDataResults"]]
    except Exception as e: return "ERROR "+str(e)[:150]
ms=lambda i:{"Id":f"m{i}","MetricStat":{"Metric":{"Namespace":"Peer","MetricName":"M","Dimensions":[{"Name":"H","Value":f"h{i}"}]},"Period":60,"Stat":"Average"},"ReturnData":False}
print("math m0*2:", gmd([ms(0),{"Id":"e1","Expression":"m0*2"}]))
print("math SUM(METRICS()):", gmd([ms(0),ms(1),{"Id":"e1","Expression":"SUM(METRICS())"}]))
print("SEARCH:", gmd([{"Id":"s1","Expression":"SEARCH('{Peer,H} MetricName=\"M\"', 'Average', 60)"}]))
print("Insights:", gmd([{"Id":"q1","Expression":"SELECT AVG(M) FROM Peer","Period":60}]))
print("syntax error:", gmd([ms(0),{"Id":"e1","Expression":"m0 +"}]))
c.put_metric_alarm(AlarmName="a",Namespace="Peer",MetricName="M",Dimensions=[{"Name":"H","Value":"h0"}],Statistic="Average",Period=60,EvaluationPeriods=1,Threshold=1,ComparisonOperator="GreaterThanThreshold")
print("alarm state right after put:", c.describe_alarms(AlarmNames=["a"])["MetricAlarms"][0]["StateValue"])
proc.terminate(); proc.wait()
